"""The icon set: Lucide (npm `lucide-static`), vendored as one SVG sprite of the icons Jalon uses.

Templates draw an icon with `{% icon "name" %}` (decorative, hidden from screen readers: the
text beside it says what it is) or `{% icon "name" label=_("Edit") %}` (an icon alone on a
control: the label is read by screen readers and shown on hover). The sprite holds only the
names below; `scripts/build_icon_sprite.py` rebuilds it from the npm package after a name is
added here, and a test fails when a template asks for a name that is not in the sprite.
"""

SPRITE = "vendor/lucide/sprite.svg"

# Lucide names (https://lucide.dev/icons/), sorted.
ICONS = (
    "arrow-down",
    "arrow-left-right",
    "arrow-right",
    "arrow-up",
    "bar-chart-3",
    "briefcase",
    "building-2",
    "calendar",
    "calendar-off",
    "calendar-plus",
    "check",
    "check-check",
    "chevron-down",
    "chevron-left",
    "chevron-right",
    "chevron-up",
    "chevrons-left-right",
    "circle-check",
    "clipboard-list",
    "columns-3",
    "copy",
    "download",
    "ellipsis",
    "ellipsis-vertical",
    "euro",
    "eye",
    "file-text",
    "filter",
    "flag",
    "folder-open",
    "grip-vertical",
    "handshake",
    "history",
    "inbox",
    "kanban",
    "layout-dashboard",
    "list",
    "list-checks",
    "lock",
    "log-out",
    "mail",
    "map-pin",
    "menu",
    "message-square",
    "milestone",
    "package",
    "paperclip",
    "pencil",
    "phone",
    "plus",
    "recycle",
    "repeat",
    "search",
    "settings",
    "shield-check",
    "star",
    "sticky-note",
    "target",
    "trash-2",
    "trending-up",
    "unfold-horizontal",
    "upload",
    "user",
    "user-plus",
    "users",
    "x",
    "zap",
)

# The icons a manager may give a task type (admin), by what they stand for.
TASK_ICONS = (
    "circle-check",
    "phone",
    "handshake",
    "mail",
    "calendar-off",
    "calendar",
    "map-pin",
    "file-text",
    "message-square",
    "users",
    "euro",
    "star",
    "flag",
    "zap",
)
DEFAULT_TASK_ICON = "circle-check"


def task_icon(name: str) -> str:
    """The icon to draw for a task type's stored `icon`: it, or the default one."""
    return name if name in TASK_ICONS else DEFAULT_TASK_ICON
