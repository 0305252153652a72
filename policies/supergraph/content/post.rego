# METADATA
# title: Posts
# description: |
#   Reading, editing and deleting a post. input.resource is the loaded post:
#   {"authorId": string, "status": "PUBLISHED" | "HIDDEN" | "REMOVED" | ..., "premium": bool}.
#   One entrypoint per action: read, edit, delete.
package supergraph.content.post

import data.supergraph.common.subject

# Statuses whose content only moderators and admins may read.
_restricted_statuses := {"HIDDEN", "REMOVED"}

_is_author if subject.is_user(input.resource.authorId)

# METADATA
# title: Read decision
# description: |
#   Hidden or removed posts: moderators and admins only. Premium posts: an active PRO plan
#   (input.subject.plan = {"code": "PRO", "status": "ACTIVE" or "TRIALING"}), the author, or a moderator/admin.
#   Everything else is public.
# entrypoint: true
read := {"allow": allow_read, "reason": _read_reason}

default allow_read := false

allow_read if {
	_visible
	_premium_readable
}

_visible if not input.resource.status in _restricted_statuses

_visible if subject.is_moderator

_premium_readable if not input.resource.premium == true

_premium_readable if subject.has_active_plan("PRO")

_premium_readable if _is_author

_premium_readable if subject.is_moderator

_read_reason := "requires role moderator" if not _visible

else := "requires an active PRO plan" if not _premium_readable

else := "ok"

# METADATA
# title: Edit decision
# description: Only the author edits a post.
# entrypoint: true
edit := {"allow": allow_edit, "reason": _edit_reason}

default allow_edit := false

allow_edit if _is_author

_edit_reason := "author" if _is_author

else := "unauthenticated" if not subject.is_authenticated

else := "not the author"

# METADATA
# title: Delete decision
# description: |
#   Only the author deletes (soft-deletes) a post. Moderators and admins take posts down through
#   moderation decisions (HIDDEN, REMOVED), which are audited and reversible, not by deleting them.
# entrypoint: true
delete := {"allow": allow_delete, "reason": _delete_reason}

default allow_delete := false

allow_delete if _is_author

_delete_reason := "author" if _is_author

else := "unauthenticated" if not subject.is_authenticated

else := "not the author"
