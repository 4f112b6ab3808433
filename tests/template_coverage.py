"""django_coverage_plugin, made cheap enough to run on every `make test`.

The plugin records a template node's lines by tracing every frame that renders it, and coverage
asks it for the node's line range on each line such a frame runs: a callback into Python per
line, for a page's every node, every time the page renders. Coverage keeps only *which* lines
ran, so a node's lines recorded once in a process are recorded for good. This plugin traces
the first frame rendering each node (the same frame the original traces, so the same lines are
recorded) and leaves later renders of it untraced, which coverage then runs at full speed.

A node is known by its template, its place in that template and its class: the line range the
original computes depends on nothing else.
"""

import threading

from django_coverage_plugin.plugin import DjangoTemplatePlugin


class TemplateNodesOncePlugin(DjangoTemplatePlugin):
    def __init__(self, options):
        super().__init__(options)
        self.traced_nodes = set()
        self._lock = threading.Lock()  # the live server renders in threads of its own

    def dynamic_source_filename(self, filename, frame):
        template_name = super().dynamic_source_filename(filename, frame)
        if template_name is None:
            return None
        node = frame.f_locals["self"]
        token = getattr(node, "token", None)
        if token is None:  # no place to record: the original records nothing for it either
            return template_name
        node_key = (template_name, token.position, type(node))
        with self._lock:
            if node_key in self.traced_nodes:
                return None
            self.traced_nodes.add(node_key)
        return template_name


def coverage_init(reg, options):
    plugin = TemplateNodesOncePlugin(options)
    reg.add_file_tracer(plugin)
    reg.add_configurer(plugin)  # as the original registers itself: it reads the report's settings
