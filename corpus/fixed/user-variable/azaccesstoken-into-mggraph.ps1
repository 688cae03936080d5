# expect: MI204
# why: Managed-identity Azure login done right, then Connect-MgGraph -AccessToken (Get-AzAccessToken -ResourceTypeName MSGraph).Token inline.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

Connect-MgGraph -Identity -ClientId $IdentityClientId

$roleName = 'Global Administrator'
$role = Get-MgDirectoryRole -Filter "displayName eq '$roleName'"
$admins = Get-MgDirectoryRoleMember -DirectoryRoleId $role.Id

Write-Output "$roleName members: $(@($admins).Count)"
foreach ($admin in $admins) {
    Write-Output " - $($admin.AdditionalProperties['userPrincipalName'])"
}
if (@($admins).Count -gt 4) {
    Write-Warning "More than four $roleName accounts"
}
