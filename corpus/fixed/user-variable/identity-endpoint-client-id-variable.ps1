# expect: MI201 MI304
# why: User-assigned identity whose client id is read from an Automation variable and sent as client_id=$clientId: the rewritten sign-in passes -ClientId $clientId and that variable's assignment stays.
$clientId = Get-AutomationVariable -Name 'MailboxAuditIdentityClientId'
Connect-MgGraph -Identity -ClientId $clientId

$since = (Get-Date).ToUniversalTime().AddDays(-1).ToString('yyyy-MM-ddTHH:mm:ssZ')
$filter = "activityDateTime ge $since and activityDisplayName eq 'Add member to role'"
Get-MgAuditLogDirectoryAudit -Filter $filter -All | ForEach-Object {
    Write-Output ("{0:u} {1} added {2}" -f $_.ActivityDateTime, $_.InitiatedBy.User.UserPrincipalName, $_.TargetResources[0].UserPrincipalName)
}
