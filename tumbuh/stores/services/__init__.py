"""Services of the stores app: every write goes through one function here.

``shop`` opens stores and manages products; ``orders`` places and moves orders.
"""
