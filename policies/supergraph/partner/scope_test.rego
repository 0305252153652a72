package supergraph.partner.scope_test

import data.supergraph.partner.scope

_partner := {"sub": "service-account-acme", "userId": null, "roles": ["partner"], "scopes": ["partner:read"], "clientId": "partner-acme", "plan": null}

_field_scopes := {"Post.body": "partner:read", "Query.search": "partner:search"}

_read(sub, parent_type, name) := {
	"subject": sub,
	"operation": {"type": "query", "name": "PartnerPost"},
	"field": {"parentType": parent_type, "name": name, "path": ["post", name]},
	"arguments": {},
	"resource": {},
}

test_allow_partner_with_mapped_scope if {
	scope.decision == {"allow": true, "reason": "scope partner:read"} with input as _read(_partner, "Post", "body")
		with data.supergraph.partner.field_scopes as _field_scopes
}

test_deny_partner_without_mapped_scope if {
	scope.decision == {"allow": false, "reason": "requires scope partner:search"} with input as _read(_partner, "Query", "search")
		with data.supergraph.partner.field_scopes as _field_scopes
}

test_deny_partner_on_unmapped_field if {
	scope.decision == {"allow": false, "reason": "field not available to partners"} with input as _read(_partner, "User", "email")
		with data.supergraph.partner.field_scopes as _field_scopes
}

test_deny_scope_without_partner_role if {
	user := object.union(_partner, {"roles": ["user"]})
	scope.decision == {"allow": false, "reason": "requires role partner"} with input as _read(user, "Post", "body")
		with data.supergraph.partner.field_scopes as _field_scopes
}

test_deny_anonymous if {
	anonymous := object.union(_partner, {"sub": null})
	scope.decision == {"allow": false, "reason": "unauthenticated"} with input as _read(anonymous, "Post", "body")
		with data.supergraph.partner.field_scopes as _field_scopes
}

# The shipped mapping (data.json) must keep private fields closed to partners.
test_deny_shipped_mapping_keeps_email_and_invoices_closed if {
	partner := object.union(_partner, {"scopes": ["partner:read", "partner:search"]})
	not scope.allow with input as _read(partner, "User", "email")
	not scope.allow with input as _read(partner, "Invoice", "amount")
}

test_allow_shipped_mapping_opens_post_body if {
	scope.allow with input as _read(_partner, "Post", "body")
}
