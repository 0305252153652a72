package supergraph.common.subject_test

import data.supergraph.common.subject

_user := {
	"sub": "kc-1",
	"userId": "u-1",
	"roles": ["user"],
	"scopes": ["openid"],
	"clientId": "supergraph-web",
	"plan": {"code": "PRO", "status": "ACTIVE"},
}

_anonymous := {"sub": null, "userId": null, "roles": ["admin"], "scopes": ["partner:read"], "plan": null}

test_allow_authenticated_with_subject if {
	subject.is_authenticated with input.subject as _user
}

test_deny_authenticated_without_subject if {
	not subject.is_authenticated with input.subject as _anonymous
	not subject.is_authenticated with input.subject as object.union(_user, {"sub": ""})
	not subject.is_authenticated with input as {}
}

test_allow_has_role_when_granted if {
	subject.has_role("user") with input.subject as _user
}

test_deny_has_role_when_not_granted if {
	not subject.has_role("admin") with input.subject as _user
}

test_deny_has_role_for_anonymous_claiming_a_role if {
	not subject.has_role("admin") with input.subject as _anonymous
}

test_allow_is_moderator_for_moderator_and_admin if {
	subject.is_moderator with input.subject as object.union(_user, {"roles": ["moderator"]})
	subject.is_moderator with input.subject as object.union(_user, {"roles": ["admin"]})
}

test_deny_is_moderator_for_user if {
	not subject.is_moderator with input.subject as _user
	not subject.is_admin with input.subject as object.union(_user, {"roles": ["moderator"]})
}

test_allow_has_scope_when_granted if {
	subject.has_scope("openid") with input.subject as _user
}

test_deny_has_scope_when_missing_or_anonymous if {
	not subject.has_scope("partner:read") with input.subject as _user
	not subject.has_scope("partner:read") with input.subject as _anonymous
}

test_allow_is_user_for_own_id if {
	subject.is_user("u-1") with input.subject as _user
}

test_deny_is_user_for_other_or_null_id if {
	not subject.is_user("u-2") with input.subject as _user
	not subject.is_user(null) with input.subject as object.union(_user, {"userId": null})
	not subject.is_user("") with input.subject as object.union(_user, {"userId": ""})
}

test_allow_has_active_plan_for_active_pro if {
	subject.has_active_plan("PRO") with input.subject as _user
}

test_allow_has_active_plan_while_trialing if {
	subject.has_active_plan("PRO") with input.subject as object.union(_user, {"plan": {"code": "PRO", "status": "TRIALING"}})
}

test_deny_has_active_plan_when_inactive_other_or_missing if {
	not subject.has_active_plan("PRO") with input.subject as object.union(_user, {"plan": {"code": "PRO", "status": "PAST_DUE"}})
	not subject.has_active_plan("PRO") with input.subject as object.union(_user, {"plan": {"code": "PRO", "status": "CANCELED"}})
	not subject.has_active_plan("PRO") with input.subject as object.union(_user, {"plan": {"code": "FREE", "status": "ACTIVE"}})
	not subject.has_active_plan("PRO") with input.subject as object.union(_user, {"plan": null})
}
