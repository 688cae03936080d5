# expect: MI101 MI102 MI401 MI104
# why: UPPERCASE commands, parameters, variables and members, with the Login-AzAccount alias.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity -AccountId $IdentityClientId

# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
$SUBSCRIPTION = (Get-AzContext).Subscription.Id
SET-AZCONTEXT -SUBSCRIPTIONID $SUBSCRIPTION | OUT-NULL

$LOCKS = GET-AZRESOURCELOCK
IF ($LOCKS.COUNT -EQ 0) {
    WRITE-WARNING "NO RESOURCE LOCKS FOUND IN SUBSCRIPTION $SUBSCRIPTION"
} ELSE {
    $LOCKS | SELECT-OBJECT NAME, RESOURCEGROUPNAME, PROPERTIES | WRITE-OUTPUT
}
