"""Fuzzing sledcheck's inputs (issue 8).

- :mod:`.corpus`: deterministic generators of hostile inputs (pure functions of a seed): random bytes,
  truncations and mutations of real CAD files, structured hostile meshes and designs, command lines.
- :mod:`.oracle`: runs one case in a child process (wall-clock timeout, RLIMIT_AS memory budget) and
  classifies what happened (signal, hang, memory blow-up, internal error, invalid report, wrong pass,
  input modified, bad message, wrong exit, ok).
- :mod:`.driver`: a pre-imported server that forks one child per case (saves the ~1 s of imports per case).
- ``test_fuzz.py``: the fast slice for CI; ``benchmarks/fuzz_campaign.py``: the long campaign.
"""
