"""Follow-up across rounds (issue 19): a round's predecessor and its series
(:mod:`.series`), the recommendations made after a round closes (:mod:`.recommendations`),
and what a unit answers about them in the next round (:mod:`.answers`).

Nothing here loads the report stack except :mod:`.series`, which scores units; the unit-facing
function reaches only :mod:`.recommendations` and :mod:`.answers`.
"""
