# expect: none
# why: Migrated runbook using a user-assigned identity for both Azure (-AccountId) and Graph (Connect-MgGraph -Identity -ClientId).
$null = Disable-AzContextAutosave -Scope Process

$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'

Connect-AzAccount -Identity -AccountId $IdentityClientId | Out-Null
Connect-MgGraph -Identity -ClientId $IdentityClientId -NoWelcome

$groupId = Get-AutomationVariable -Name 'SubscriptionOwnersGroupId'
$members = Get-MgGroupMember -GroupId $groupId -All
$owners = Get-AzRoleAssignment -RoleDefinitionName 'Owner' | Where-Object ObjectType -eq 'User'

foreach ($assignment in $owners) {
    if ($members.Id -notcontains $assignment.ObjectId) {
        Write-Warning "$($assignment.SignInName) is Owner on $($assignment.Scope) without being in the owners group"
    }
}
