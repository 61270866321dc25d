"""Reading input files: open and guard a file, the grid of values, the template and official-form readers."""
