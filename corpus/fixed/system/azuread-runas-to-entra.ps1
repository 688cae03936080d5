# expect: MI101 MI504
# why: AzureAD sign-in with the Run As certificate and AzureAD commands after it: no safe fix; the unsafe fix moves to Connect-Entra -Identity with Enable-EntraAzureADAlias so the AzureAD names keep working, then the connection goes.
param(
    [string]$GroupName = 'All Staff'
)

$conn = Get-AutomationConnection -Name AzureRunAsConnection
Connect-AzureAD -TenantId $conn.TenantId -ApplicationId $conn.ApplicationId -CertificateThumbprint $conn.CertificateThumbprint | Out-Null

$group = Get-AzureADGroup -SearchString $GroupName | Select-Object -First 1
$members = Get-AzureADGroupMember -ObjectId $group.ObjectId -All $true
$disabled = $members | Where-Object { $_.ObjectType -eq 'User' -and -not $_.AccountEnabled }
foreach ($user in $disabled) {
    Remove-AzureADGroupMember -ObjectId $group.ObjectId -MemberId $user.ObjectId
    Write-Output "Removed disabled account $($user.UserPrincipalName) from $GroupName"
}
