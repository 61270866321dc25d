"""``python -m jixiao_xlsx`` works the same as ``jixiao``."""
from .cli import main

if __name__ == "__main__":
    main(prog_name="jixiao")
