"""Template helpers of the task rows (the agenda, the dashboard, the cards' task panels)."""

from django import template

from pipeline.links import task_context as _task_context

register = template.Library()


@register.simple_tag(takes_context=True)
def task_context(context, task):
    """`{% task_context task as about %}`: the links and number to call of the record a task
    is about (`pipeline.links.task_context`), for the signed-in user."""
    return _task_context(task, context["request"].user)
