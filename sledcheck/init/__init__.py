"""`sledcheck init ASSEMBLY`: a commented design written from an assembly export (issue 10).

What it does, in order:

1. Load the file as ``check`` will (STEP through OpenCASCADE, meshes by trimesh) and convert it to mm.
2. Guess every body's role from its names (:mod:`.load.roles`: instance name, product name, sub-assembly), then
   from its shape where the names say little, or to confirm them: a recognised plate-fin heat sink, the largest
   body at the bottom that most parts stand on (tray), the largest thin plate on top (lid), a thin plate that
   several parts stand on (pcb).
3. Decide the parts: one per body, except that the bodies of a sub-assembly whose name says it is one unit (a
   fan, a DIMM, a heat sink, a PSU, a drive, a connector, a package, a cable) become one part, unless a
   fastener or a pad is among them. Bodies of one product with one role, and sub-assemblies alike, become a
   single ``each: true`` entry (16 DIMMs, 6 fans: one line each); members that touch other things than the
   rest become entries of their own, written before it (an ``each`` entry takes what earlier ones left).
4. Measure every pair of parts as ``check`` does (exact mesh distance, manifold3d overlap volume, the exact
   B-rep where the mesh answer is within the chord error of a limit) and write what touches as ``contacts``:
   by role where every pair of the two roles that comes closer than its clearance touches and every part of
   each role touches one of the other (so no contact-missing warning), else by entry name. A pair that
   overlaps is never declared (``check`` reports it as D101; a fastener, standoff or pad that overlaps gets a
   commented-out press or compressible fit to uncomment if that is the design); a touching pair whose overlap
   cannot be measured (a part is not closed) is written commented out. A fastener within 0.5 mm of a part
   without overlapping it (a screw in a clearance hole) gets a ``fits`` entry of kind ``clearance-hole``.
5. Add the envelope spec the height fits (EIA-310 1U or 2U), a default clearance of 0.5 mm and 1.5 mm between
   heat sinks and lids, and, when there are heat sinks and fans, a commented-out thermal stub.

Every guessed line carries a comment saying why and how sure (sure, likely, guess); a summary goes to stderr.
The design is checked by the design loader before it is written; it is written atomically, never over an
existing file without ``--force`` and never over the assembly itself.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from ..errors import SledcheckError
from ..load.design import display_path
from ..load.meshes import read_with_units
from .draft import Draft
from .select import Selector, body_matches
from .text import _scalar, glob_escape
from .write import _refuse_target, _write

__all__ = ["Draft", "Selector", "body_matches", "glob_escape", "run_init", "_scalar"]


def run_init(assembly: str, output: str, *, force: bool = False, units: str | None = None) -> int:
    """Write the design for ``assembly`` to ``output``; returns the exit code (0; errors raise
    :class:`SledcheckError`, which the command line turns into exit 2)."""
    if not str(assembly).strip():
        raise SledcheckError("argument assembly: the path is empty", hint="give a STEP, GLB or 3MF file")
    if not str(output).strip():
        raise SledcheckError("--output: the path is empty", hint="give a file name, e.g. design.yaml")
    source, target = Path(assembly), Path(output)
    _refuse_target(source, target, force)
    mesh_file, resolved = read_with_units(source, display_path(source), units)
    draft = Draft(mesh_file, resolved, source, target, units_option=units)
    text = draft.render().rstrip("\n") + "\n"
    _write(source, target, text, force)
    _say("\n".join(draft.summary()))
    return 0


def _say(text: str) -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

