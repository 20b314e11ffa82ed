"""A child process of the concurrency test: log ``n`` runs for a runner through the
service the web app calls, on the database at ``url``."""

from __future__ import annotations

import sys


def main(url: str, alias: str, n: int, tag: str) -> None:
    from upright.services.accounts import Clinic
    from upright.services.training_log import log_run
    from upright.store import open_store, using_database

    clinic = Clinic(open_store(url))
    with using_database(url):
        for i in range(n):
            log_run(alias, pain_during=i % 4, distance_km=1.0 + i / 100)
            clinic.audit(None, "change", runner_alias=alias, detail=f"{tag} {i}")
    clinic.store.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
