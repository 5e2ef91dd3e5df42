"""Population screening: every patient of a FHIR Bulk Data export against the open trials.

`select_trials(db, filter)` reads the trials and their stored criteria once; `connect()` gives a
Dask client (a LocalCluster, or an existing scheduler); `screen(client, export_dir, out, trials)`
runs the matcher (match/, unchanged) on the workers and writes per-trial candidate lists.
Needs the `screen` extra (dask[distributed], pyarrow); the rest of trialscout does not.
"""

from trialscout.screen.engine import EngineError, connect
from trialscout.screen.export import ExportError, Issue
from trialscout.screen.run import ScreenReport, screen
from trialscout.screen.trials import TrialFilter, TrialSet, select_trials

__all__ = [
    "EngineError",
    "ExportError",
    "Issue",
    "ScreenReport",
    "TrialFilter",
    "TrialSet",
    "connect",
    "screen",
    "select_trials",
]
