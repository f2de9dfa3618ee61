"""Annotation with Label Studio: config generation, push, pull and the offline loader.

``load_annotations(project, documents)`` is what ``newscorpus build`` uses: it reads the
committed pulled files and needs no server. ``push``/``pull`` talk to a server through
``newscorpus.annotate.labelstudio``.
"""

from newscorpus.annotate.config import label_config
from newscorpus.annotate.sync import PullReport, PushReport, Settings, load_annotations, pull, push

__all__ = ["PullReport", "PushReport", "Settings", "label_config", "load_annotations", "pull",
           "push"]
