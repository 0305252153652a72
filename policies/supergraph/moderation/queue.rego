# METADATA
# title: Moderation queue and audit log
# description: Reading the moderation queue (moderationQueue) and the audit log is for moderators and admins.
package supergraph.moderation.queue

import data.supergraph.common.subject

# METADATA
# title: Read decision
# description: '{"allow": bool, "reason": string}; reason is "moderator" when allowed.'
# entrypoint: true
decision := {"allow": allow, "reason": _reason}

default allow := false

allow if subject.is_moderator

_reason := "moderator" if subject.is_moderator

else := "unauthenticated" if not subject.is_authenticated

else := "requires role moderator"
