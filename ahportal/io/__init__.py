"""Excel imports and exports: hostile-safe reading, templates, annotated error copies.

Services call `ahportal.io.sheets`; `workbook_guard` checks bytes before parsing,
`sandbox` runs parsers in a limited child process, `readers` is the child side.
"""
