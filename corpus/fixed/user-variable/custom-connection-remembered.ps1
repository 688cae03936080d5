# expect: MI101 MI102 MI401 MI104
# why: A custom-named connection (from a variable) is Run As because its certificate signs in; after the sign-in is rewritten the connection and its SubscriptionId read must still be known as Run As, in later passes and in the findings left.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity -AccountId $IdentityClientId | Out-Null
# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
Select-AzSubscription -SubscriptionId (Get-AzContext).Subscription.Id | Out-Null

Get-AzVM -Status | Where-Object { $_.PowerState -eq 'VM running' -and $_.Tags['shutdown'] -eq 'nightly' } |
    ForEach-Object { Stop-AzVM -ResourceGroupName $_.ResourceGroupName -Name $_.Name -Force -NoWait | Out-Null }
