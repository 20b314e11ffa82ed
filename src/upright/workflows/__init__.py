"""Whole jobs: input in, an output folder out, as ``upright analyze`` and ``upright form``
run them, and as the job queue's workers run them for the web app.

A layer of its own between :mod:`upright.report` and the front ends (:mod:`upright.cli`,
:mod:`upright.web`): a whole job combines the services (which measure) with the report
writers (which write the files), and :mod:`upright.report` itself imports the services,
so the jobs can live in neither. Nothing here prints or exits.
"""

from upright.workflows.analyze import AnalyzeJob, run_analyze_job
from upright.workflows.form import FormJob, run_form_job
from upright.workflows.progress import Progress, SilentProgress, count_files

__all__ = [
    "AnalyzeJob",
    "FormJob",
    "Progress",
    "SilentProgress",
    "count_files",
    "run_analyze_job",
    "run_form_job",
]
