# expect: MI303
# why: Connect-MgGraph certificate login whose client id and thumbprint come from Automation variables, not a Run As connection (warning form of MI303).
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
$clientId = Get-AutomationVariable -Name 'GraphReportingAppId'
$tenantId = Get-AutomationVariable -Name 'TenantId'
$thumbprint = Get-AutomationVariable -Name 'GraphReportingCertThumbprint'

Connect-MgGraph -Identity -ClientId $IdentityClientId -NoWelcome

$since = (Get-Date).AddDays(-1).ToString('yyyy-MM-ddTHH:mm:ssZ')
$failures = Get-MgAuditLogSignIn -Filter "createdDateTime ge $since and status/errorCode ne 0" -Top 500

$failures |
    Group-Object -Property UserPrincipalName |
    Where-Object Count -ge 10 |
    Sort-Object -Property Count -Descending |
    ForEach-Object { Write-Output ("{0,4} failed sign-ins: {1}" -f $_.Count, $_.Name) }

Disconnect-MgGraph | Out-Null
