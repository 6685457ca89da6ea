"""Executes every notebook in this folder headless (nbclient) and writes it
back with its outputs (tables and charts), as .ci/run does: the committed
notebooks show their results on a code host, and never rot.

Usage: python3 notebooks/run.py            (from the repository root or notebooks/)
       python3 notebooks/run.py --check    (execute, but leave the files as they are)
"""
import pathlib
import sys

import nbformat
from nbclient import NotebookClient

HERE = pathlib.Path(__file__).resolve().parent


def main() -> int:
    check_only = "--check" in sys.argv[1:]
    notebooks = sorted(HERE.glob("*.ipynb"))
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(HERE)}})
        client.execute()
        if not check_only:
            nbformat.write(notebook, path)
        print(f"notebook ok: {path.name}")
    return 0 if notebooks else 1


if __name__ == "__main__":
    sys.exit(main())
