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
    "arrow-left-right",
    "bar-chart-3",
    "briefcase",
    "building-2",
    "calendar",
    "check",
    "check-check",
    "chevron-down",
    "chevron-left",
    "chevron-right",
    "circle-check",
    "clipboard-list",
    "copy",
    "download",
    "ellipsis-vertical",
    "euro",
    "eye",
    "file-text",
    "filter",
    "folder-open",
    "grip-vertical",
    "history",
    "inbox",
    "kanban",
    "layout-dashboard",
    "list",
    "list-checks",
    "log-out",
    "mail",
    "map-pin",
    "menu",
    "message-square",
    "package",
    "paperclip",
    "pencil",
    "phone",
    "plus",
    "recycle",
    "search",
    "settings",
    "shield-check",
    "star",
    "target",
    "trash-2",
    "trending-up",
    "upload",
    "user",
    "user-plus",
    "users",
    "x",
)
