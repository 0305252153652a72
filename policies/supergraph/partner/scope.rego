# METADATA
# title: Partner field access
# description: |
#   May a partner client read input.field? Partners (realm role partner) read a field only when
#   data.supergraph.partner.field_scopes maps "ParentType.field" to a scope their token holds.
#   Fields missing from the map are closed to partners.
package supergraph.partner.scope

import data.supergraph.common.subject

# METADATA
# title: Read decision
# description: '{"allow": bool, "reason": string}; reason is "scope <name>" when allowed.'
# entrypoint: true
decision := {"allow": allow, "reason": _reason}

default allow := false

allow if {
	_is_partner
	subject.has_scope(_required_scope)
}

_is_partner if subject.has_role("partner")

_field_key := concat(".", [input.field.parentType, input.field.name])

_required_scope := data.supergraph.partner.field_scopes[_field_key]

_reason := concat(" ", ["scope", _required_scope]) if allow

else := "unauthenticated" if not subject.is_authenticated

else := "requires role partner" if not _is_partner

else := "field not available to partners" if not _required_scope

else := concat(" ", ["requires scope", _required_scope])
