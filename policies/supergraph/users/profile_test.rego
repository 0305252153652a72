package supergraph.users.profile_test

import data.supergraph.users.profile

_alice := {"sub": "kc-alice", "userId": "u-alice", "roles": ["user"], "scopes": [], "clientId": "supergraph-web", "plan": null}

_admin := {"sub": "kc-admin", "userId": "u-admin", "roles": ["user", "admin"], "scopes": [], "clientId": "supergraph-web", "plan": null}

_anonymous := {"sub": null, "userId": null, "roles": [], "scopes": [], "clientId": "supergraph-web", "plan": null}

_edit(sub, profile_id) := {
	"subject": sub,
	"operation": {"type": "mutation", "name": "UpdateProfile"},
	"field": {"parentType": "Mutation", "name": "updateProfile", "path": ["updateProfile"]},
	"arguments": {"id": profile_id},
	"resource": {"id": profile_id},
}

test_allow_user_edits_own_profile if {
	profile.decision == {"allow": true, "reason": "owner"} with input as _edit(_alice, "u-alice")
}

test_allow_admin_edits_any_profile if {
	profile.decision == {"allow": true, "reason": "admin"} with input as _edit(_admin, "u-alice")
}

test_deny_user_edits_other_profile if {
	profile.decision == {"allow": false, "reason": "not the owner"} with input as _edit(_alice, "u-bob")
}

test_deny_anonymous if {
	profile.decision == {"allow": false, "reason": "unauthenticated"} with input as _edit(_anonymous, "u-alice")
}

test_deny_user_without_user_id_on_profile_without_id if {
	profile.decision == {"allow": false, "reason": "not the owner"} with input as _edit(object.union(_alice, {"userId": null}), null)
}

test_deny_when_input_is_empty if {
	profile.decision == {"allow": false, "reason": "unauthenticated"} with input as {}
}
