"""How numbers and dates are written and read in each language the project speaks.

One module per kind of value: :mod:`.numbers` (parse and format numbers) and :mod:`.dates`
(parse and format dates). The web form, its script (``templates/webform/static/numbers.js``
follows :mod:`.numbers` case for case) and the printed reports all go through them, so a value
reads the same wherever it is shown or typed.
"""
