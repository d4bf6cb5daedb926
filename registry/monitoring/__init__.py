"""Continuous monitoring (持续监测): an agency is told when a bidder it screened is listed or fined
before the award.

`watches` (a screening's subjects watched until a date, with their persons given with an ID
number), `watch_index` (the watched subjects by name and code: the matcher the other way round),
`detect` (outbox events after a cursor against the watched subjects, and against their persons by
the keyed hash of the ID number; each candidate re-screened; an alert where the decision got
worse), `alerts` (the agency reads and acknowledges them).
"""
