"""Test helpers: workbook builders, LibreOffice driver, in-memory Project builders."""
