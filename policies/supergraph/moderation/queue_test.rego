package supergraph.moderation.queue_test

import data.supergraph.moderation.queue

_subject(roles) := {"sub": "kc-1", "userId": "u-1", "roles": roles, "scopes": [], "clientId": "supergraph-web", "plan": null}

_queue(sub) := {
	"subject": sub,
	"operation": {"type": "query", "name": "ModerationQueue"},
	"field": {"parentType": "Query", "name": "moderationQueue", "path": ["moderationQueue"]},
	"arguments": {"first": 20},
	"resource": {},
}

test_allow_moderator if {
	queue.decision == {"allow": true, "reason": "moderator"} with input as _queue(_subject(["user", "moderator"]))
}

test_allow_admin if {
	queue.decision == {"allow": true, "reason": "moderator"} with input as _queue(_subject(["admin"]))
}

test_deny_user if {
	queue.decision == {"allow": false, "reason": "requires role moderator"} with input as _queue(_subject(["user", "billing-admin"]))
}

test_deny_anonymous_even_when_claiming_role if {
	queue.decision == {"allow": false, "reason": "unauthenticated"} with input as _queue(object.union(_subject(["moderator"]), {"sub": null}))
}
