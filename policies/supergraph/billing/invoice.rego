# METADATA
# title: Invoices and payment details
# description: |
#   Reading an invoice or payment details. input.resource.ownerId is the users-subgraph id of the
#   account that owns them. Only that user or a billing-admin may read them.
package supergraph.billing.invoice

import data.supergraph.common.subject

# METADATA
# title: Read decision
# description: '{"allow": bool, "reason": string}; reason is "owner" or "billing-admin" when allowed.'
# entrypoint: true
decision := {"allow": allow, "reason": _reason}

default allow := false

allow if _is_owner

allow if _is_billing_admin

_is_owner if subject.is_user(input.resource.ownerId)

_is_billing_admin if subject.has_role("billing-admin")

_reason := "owner" if _is_owner

else := "billing-admin" if _is_billing_admin

else := "unauthenticated" if not subject.is_authenticated

else := "not the owner"
