"""The ``newscorpus`` command: the only module that prints, draws progress or exits."""
