# expect: none
# why: Run As, token and Graph-profile code that appears only inside single/double-quoted strings and here-strings (e.g. a migration report), never executed.
Connect-MgGraph -Identity -NoWelcome

$checklist = @'
Before the Run As retirement we used:
    $c = Get-AutomationConnection -Name 'AzureRunAsConnection'
    Connect-AzAccount -ServicePrincipal -Tenant $c.TenantID -ApplicationId $c.ApplicationID -CertificateThumbprint $c.CertificateThumbprint
    Select-MgProfile -Name beta
    Invoke-RestMethod -Uri "$env:MSI_ENDPOINT?resource=https://vault.azure.net" -Headers @{ Secret = $env:MSI_SECRET }
'@

$template = @"
Runbook owner: {0}
Replace 'Connect-AzAccount -ServicePrincipal -CertificateThumbprint' with 'Connect-AzAccount -Identity'.
Replace 'Get-MgProfile' checks with explicit Beta cmdlets.
"@

Write-Output 'Search your runbooks for "Get-AutomationConnection -Name AzureRunAsConnection".'
Write-Output "Legacy IMDS URL was http://169.254.169.254/metadata/identity/oauth2/token"
$pattern = 'Add-AzureRmAccount\s+-ServicePrincipal'

$owners = Get-MgGroupMember -GroupId (Get-AutomationVariable -Name 'RunbookOwnersGroupId') -All
foreach ($owner in $owners) {
    $text = $template -f $owner.AdditionalProperties['displayName']
    Write-Output $text
}
Write-Output $checklist
Write-Verbose "Regex used by the audit: $pattern"
