package supergraph.billing.invoice_test

import data.supergraph.billing.invoice

_alice := {"sub": "kc-alice", "userId": "u-alice", "roles": ["user"], "scopes": [], "clientId": "supergraph-web", "plan": null}

_billing_admin := {"sub": "kc-ba", "userId": "u-ba", "roles": ["billing-admin"], "scopes": [], "clientId": "supergraph-web", "plan": null}

_invoice(sub, owner_id) := {
	"subject": sub,
	"operation": {"type": "query", "name": "Invoices"},
	"field": {"parentType": "Invoice", "name": "amount", "path": ["me", "invoices", 0, "amount"]},
	"arguments": {},
	"resource": {"id": "inv-1", "ownerId": owner_id},
}

test_allow_owner if {
	invoice.decision == {"allow": true, "reason": "owner"} with input as _invoice(_alice, "u-alice")
}

test_allow_billing_admin if {
	invoice.decision == {"allow": true, "reason": "billing-admin"} with input as _invoice(_billing_admin, "u-alice")
}

test_deny_other_user if {
	invoice.decision == {"allow": false, "reason": "not the owner"} with input as _invoice(_alice, "u-bob")
}

test_deny_admin_without_billing_role if {
	admin := object.union(_alice, {"userId": "u-admin", "roles": ["admin", "moderator"]})
	invoice.decision == {"allow": false, "reason": "not the owner"} with input as _invoice(admin, "u-alice")
}

test_deny_null_owner_and_null_user_id if {
	invoice.decision == {"allow": false, "reason": "not the owner"} with input as _invoice(object.union(_alice, {"userId": null}), null)
}

test_deny_anonymous if {
	anonymous := object.union(_alice, {"sub": null})
	invoice.decision == {"allow": false, "reason": "unauthenticated"} with input as _invoice(anonymous, "u-alice")
}
