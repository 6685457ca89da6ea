"""Executes every notebook in this folder headless (nbclient), as .ci/run
does, so they never rot. Executed copies go to results/notebooks/.

Usage: python3 notebooks/run.py   (from the repository root or notebooks/)
"""
import pathlib
import sys

import nbformat
from nbclient import NotebookClient

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parent / "results" / "notebooks"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    notebooks = sorted(HERE.glob("*.ipynb"))
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(HERE)}})
        client.execute()
        nbformat.write(notebook, OUT / path.name)
        print(f"notebook ok: {path.name}")
    return 0 if notebooks else 1


if __name__ == "__main__":
    sys.exit(main())
