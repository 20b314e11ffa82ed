"""What to tell the user after Ctrl-C: exactly what was written or stored, and what not.

The facts come from the command's ledger (:mod:`upright.ledger`), filled by the code that
moves an output folder into place, commits a database transaction or writes a file.
"""

from __future__ import annotations

from upright.ledger import Landed, Ledger

__all__ = ["interrupted_message"]


def _describe(landed: Landed) -> str:
    if landed.kind == "folder":
        return f"the output folder {landed.where} was written in full"
    if landed.kind == "file":
        return f"{landed.where} was written"
    return f"changes to your record were saved in the database {landed.where}"


def interrupted_message(ledger: Ledger) -> str:
    """One paragraph: what was done before the interrupt, and what was not.

    Examples
    --------
    >>> interrupted_message(Ledger())
    'Interrupted: nothing was written or stored.'
    """
    if not ledger.landed and not ledger.not_done:
        return "Interrupted: nothing was written or stored."
    done = list(dict.fromkeys(_describe(x) for x in ledger.landed))
    text = "Interrupted."
    if done:
        text += " Already done: " + "; ".join(done) + "."
    if ledger.not_done:
        text += " Not done: " + "; ".join(ledger.not_done) + "."
    return text
