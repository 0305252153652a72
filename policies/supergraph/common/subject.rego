# METADATA
# title: Subject helpers
# description: |
#   Facts about input.subject shared by every decision. A subject is authenticated when it has a
#   Keycloak subject; roles, scopes, the user id and the plan count only for authenticated
#   subjects, so a forged anonymous input cannot claim them.
package supergraph.common.subject

# METADATA
# title: Authenticated
# description: The request carries a verified token (input.subject.sub is a non-empty string).
is_authenticated if {
	is_string(input.subject.sub)
	input.subject.sub != ""
}

# METADATA
# title: Has role
# description: The subject holds the Keycloak realm role r.
has_role(r) if {
	is_authenticated
	r in input.subject.roles
}

# METADATA
# title: Is admin
# description: The subject holds the admin realm role.
is_admin if has_role("admin")

# METADATA
# title: Is moderator
# description: The subject may moderate, as a moderator or an admin.
is_moderator if has_role("moderator")

is_moderator if is_admin

# METADATA
# title: Has scope
# description: The token's scopes include s.
has_scope(s) if {
	is_authenticated
	s in input.subject.scopes
}

# METADATA
# title: Is user
# description: The subject is the users-subgraph user with this id (never matches null or "").
is_user(id) if {
	is_authenticated
	is_string(input.subject.userId)
	input.subject.userId != ""
	input.subject.userId == id
}

# METADATA
# title: Has active plan
# description: >-
#   The subject's plan has this code (FREE, PRO, PARTNER) and a status that grants it: ACTIVE or
#   TRIALING, as billing's entitlements (PAST_DUE and CANCELED grant nothing).
has_active_plan(code) if {
	is_authenticated
	input.subject.plan.code == code
	_entitling_statuses[input.subject.plan.status]
}

_entitling_statuses := {"ACTIVE", "TRIALING"}
