# expect: MI506 MI506
# why: az login --identity with the removed --username naming a user-assigned identity by client id (unsafe: --client-id) and a second login by resource id (safe: --resource-id).
param(
    [string]$ClientId = '6b1c2a3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d'
)

if ($env:AUTOMATION_ASSET_ACCOUNTID) {
    az login --identity --client-id $ClientId -o none
}
else {
    az login --identity --resource-id '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-runbooks' -o none
}
az account show --query user.name -o tsv
