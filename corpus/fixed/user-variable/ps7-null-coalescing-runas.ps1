# expect: MI101 MI102 MI401 MI104
# why: PowerShell 7 runbook still on Run As where ?? falls back to the connection's SubscriptionID, and an if-expression picks the environment.
param(
    [string] $SubscriptionId,
    [switch] $Government
)

$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
$environment = if ($Government) { 'AzureUSGovernment' } else { 'AzureCloud' }

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity -AccountId $IdentityClientId -Environment $environment | Out-Null

# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
$target = $SubscriptionId ?? (Get-AzContext).Subscription.Id
Set-AzContext -Subscription $target | Out-Null

$pending = Get-AzSecurityTask | Where-Object State -eq 'Active'
$pending | Group-Object { $_.RecommendationType } | Sort-Object Count -Descending | ForEach-Object {
    Write-Output ("{0,4}  {1}" -f $_.Count, $_.Name)
}
