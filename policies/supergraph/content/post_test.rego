package supergraph.content.post_test

import data.supergraph.content.post

_alice := {"sub": "kc-alice", "userId": "u-alice", "roles": ["user"], "scopes": [], "clientId": "supergraph-web", "plan": null}

_bob := {"sub": "kc-bob", "userId": "u-bob", "roles": ["user"], "scopes": [], "clientId": "supergraph-web", "plan": {"code": "FREE", "status": "ACTIVE"}}

_pro := object.union(_bob, {"plan": {"code": "PRO", "status": "ACTIVE"}})

_moderator := {"sub": "kc-mod", "userId": "u-mod", "roles": ["user", "moderator"], "scopes": [], "clientId": "supergraph-web", "plan": null}

_admin := {"sub": "kc-admin", "userId": "u-admin", "roles": ["admin"], "scopes": [], "clientId": "supergraph-web", "plan": null}

_anonymous := {"sub": null, "userId": null, "roles": [], "scopes": [], "clientId": "supergraph-web", "plan": null}

_post(attrs) := object.union({"authorId": "u-alice", "status": "PUBLISHED", "premium": false}, attrs)

_input(sub, attrs) := {
	"subject": sub,
	"operation": {"type": "query", "name": "Post"},
	"field": {"parentType": "Post", "name": "body", "path": ["post", "body"]},
	"arguments": {},
	"resource": _post(attrs),
}

# read

test_allow_read_published_post_anonymously if {
	post.read == {"allow": true, "reason": "ok"} with input as _input(_anonymous, {})
}

test_allow_read_removed_and_hidden_by_moderator_and_admin if {
	post.read == {"allow": true, "reason": "ok"} with input as _input(_moderator, {"status": "REMOVED"})
	post.read == {"allow": true, "reason": "ok"} with input as _input(_admin, {"status": "HIDDEN"})
}

test_deny_read_removed_by_user_and_author if {
	post.read == {"allow": false, "reason": "requires role moderator"} with input as _input(_bob, {"status": "REMOVED"})
	post.read == {"allow": false, "reason": "requires role moderator"} with input as _input(_alice, {"status": "HIDDEN"})
}

test_deny_read_hidden_anonymously if {
	post.read == {"allow": false, "reason": "requires role moderator"} with input as _input(_anonymous, {"status": "HIDDEN"})
}

test_allow_read_premium_with_active_pro_plan if {
	post.read == {"allow": true, "reason": "ok"} with input as _input(_pro, {"premium": true})
}

test_allow_read_premium_by_author_and_moderator if {
	post.read == {"allow": true, "reason": "ok"} with input as _input(_alice, {"premium": true})
	post.read == {"allow": true, "reason": "ok"} with input as _input(_moderator, {"premium": true})
}

test_deny_read_premium_without_active_pro_plan if {
	post.read == {"allow": false, "reason": "requires an active PRO plan"} with input as _input(_bob, {"premium": true})
	post.read == {"allow": false, "reason": "requires an active PRO plan"} with input as _input(object.union(_pro, {"plan": {"code": "PRO", "status": "CANCELED"}}), {"premium": true})
	post.read == {"allow": false, "reason": "requires an active PRO plan"} with input as _input(_anonymous, {"premium": true})
}

test_deny_read_removed_premium_reports_moderation_first if {
	post.read == {"allow": false, "reason": "requires role moderator"} with input as _input(_pro, {"premium": true, "status": "REMOVED"})
}

# edit

test_allow_edit_by_author if {
	post.edit == {"allow": true, "reason": "author"} with input as _input(_alice, {})
}

test_deny_edit_by_other_user_moderator_and_admin if {
	post.edit == {"allow": false, "reason": "not the author"} with input as _input(_bob, {})
	post.edit == {"allow": false, "reason": "not the author"} with input as _input(_moderator, {})
	post.edit == {"allow": false, "reason": "not the author"} with input as _input(_admin, {})
}

test_deny_edit_anonymously if {
	post.edit == {"allow": false, "reason": "unauthenticated"} with input as _input(_anonymous, {})
}

# delete

test_allow_delete_by_author if {
	post.delete == {"allow": true, "reason": "author"} with input as _input(_alice, {})
}

test_deny_delete_by_moderator_and_admin if {
	post.delete == {"allow": false, "reason": "not the author"} with input as _input(_moderator, {})
	post.delete == {"allow": false, "reason": "not the author"} with input as _input(_admin, {})
}

test_deny_delete_by_other_user if {
	post.delete == {"allow": false, "reason": "not the author"} with input as _input(_bob, {})
}

test_deny_delete_anonymously if {
	post.delete == {"allow": false, "reason": "unauthenticated"} with input as _input(_anonymous, {})
}
