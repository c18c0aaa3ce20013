"""sledcheck: check AI-accelerator server sled designs (CAD exports) for fit and air-cooling margin.

Python API (see the README)::

    from sledcheck import check, Q_
    report = check("examples/tray-1u/fixed.yaml")
    report.verdict, report.exit_code, report.findings
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import SledcheckError  # noqa: E402
from .pipeline import check  # noqa: E402
from .units import Q_, ureg  # noqa: E402

__all__ = ["Q_", "SledcheckError", "__version__", "check", "ureg"]
