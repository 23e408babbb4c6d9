"""Notifications (issue 16 item 14): a background import or report tells the user who started it that it has
finished, through a bell in the header and a list page, so nobody has to keep the batch page open.

``services.notify`` is the one state change that jobs call; a notification is seen by its recipient only."""
