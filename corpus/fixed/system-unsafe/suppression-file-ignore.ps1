# expect: none
# why: A file-wide ignore for MI401 covers the missing autosave call and a bare ignore comment (no codes) covers a Select-MgProfile call; both are used.
# mimigrate: file-ignore[MI401]

Connect-AzAccount -Identity | Out-Null
Connect-MgGraph -Identity -NoWelcome

# mimigrate: ignore
Select-MgProfile -Name beta

$subscriptionId = (Get-AzContext).Subscription.Id
$assignments = Get-AzRoleAssignment -Scope "/subscriptions/$subscriptionId" | Where-Object ObjectType -eq 'ServicePrincipal'
foreach ($assignment in $assignments) {
    $sp = Get-MgBetaServicePrincipal -ServicePrincipalId $assignment.ObjectId -ErrorAction SilentlyContinue
    if (-not $sp) {
        Write-Warning "Role assignment $($assignment.RoleAssignmentName) points at a deleted service principal"
    }
}
