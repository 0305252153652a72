# METADATA
# title: Profile editing
# description: |
#   May the subject edit a user profile (updateProfile and other profile mutations)?
#   input.resource.id is the users-subgraph id of the profile being edited. A user edits only
#   their own profile; an admin edits any.
package supergraph.users.profile

import data.supergraph.common.subject

# METADATA
# title: Edit-profile decision
# description: '{"allow": bool, "reason": string}; reason is "owner" or "admin" when allowed.'
# entrypoint: true
decision := {"allow": allow, "reason": _reason}

default allow := false

allow if _is_own_profile

allow if subject.is_admin

_is_own_profile if subject.is_user(input.resource.id)

_reason := "owner" if _is_own_profile

else := "admin" if subject.is_admin

else := "unauthenticated" if not subject.is_authenticated

else := "not the owner"
