"""Forms as XLSForm workbooks, one module per stage (as pyxform is laid out).

Import: :mod:`.read` takes the workbook's ``survey``, ``choices`` and ``settings`` sheets as
rows of cells that know their sheet, row and column; :mod:`.expressions` translates XLSForm
expressions to JSON Logic (a lark grammar); :mod:`.build` makes a form definition of the rows
(types mapped, groups flattened to sections) and addresses every problem to its cell.
Export: :mod:`.write` lays a definition out as such a workbook, rules as expressions where
they read back the same and as JSON Logic where not. :mod:`.layout` holds the column names
both directions share, :mod:`.messages` what a refusal says, in Vietnamese and English.
The layout and the rules are in docs/form-language.md, "Spreadsheets (XLSForm)".
"""
