"""Writing outputs: the blank template, the scored workbook, the district summary; always atomically."""
