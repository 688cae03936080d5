# expect: MI101 MI102 MI104
# why: Every command, parameter and member written in lowercase; autosave disabled in lowercase too.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
disable-azcontextautosave -scope process | out-null

Connect-AzAccount -Identity -AccountId $IdentityClientId | out-null
# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
set-azcontext -subscriptionid (Get-AzContext).Subscription.Id | out-null

$report = foreach ($plan in get-azappserviceplan) {
    [pscustomobject]@{
        name     = $plan.name
        sku      = $plan.sku.name
        sites    = $plan.numberofsites
        location = $plan.location
    }
}
$report | where-object { $_.sites -eq 0 } | format-table -autosize | out-string | write-output
