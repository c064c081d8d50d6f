"""What analysts and lawyers see: annotated documents (`annotate`), the served pages (`pages`) and their
shared HTML pieces (`html`); browser assets are package data under `static/`.

The top of the house beside the CLI: views read the model, resolution, the graph's store and the named
queries, and nothing below imports them.
"""
