# expect: none
# why: A placeholder runbook that contains nothing but comments.
#
# Placeholder for the monthly certificate inventory runbook.
# The previous version signed in with the Run As account and was removed
# when that account was retired. A managed-identity version will be
# published here once the Reader role assignment on the key vaults is approved.
#
# Owner: platform team
# Ticket: CHG-5120
