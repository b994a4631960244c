"""Writes that follow a process's rules, one module per part:

- `opportunities`: create, move (Kanban, card, rules), trash, field edits, probability;
- `steps`: the step list's check boxes;
- `stages`: steps edited as Kanban columns;
- `lines`: item lines and the amount they make;
- `automation`: rules run on events;
- `activities`: tasks, their recurrence and the management dates they keep.
"""
