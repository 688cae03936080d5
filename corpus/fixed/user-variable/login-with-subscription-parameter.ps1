# expect: MI101 MI102 MI401 MI104
# why: Certificate login that also passes -Subscription $conn.SubscriptionId inside the same call; RULES.md hands that read to MI104.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'

Disable-AzContextAutosave -Scope Process | Out-Null
# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
Connect-AzAccount -Identity -AccountId $IdentityClientId | Out-Null

$budgetName = 'monthly-platform'
$budget = Get-AzConsumptionBudget -Name $budgetName -ErrorAction SilentlyContinue
if (-not $budget) {
    throw "Budget $budgetName does not exist"
}
$spent = [math]::Round(($budget.CurrentSpend.Amount / $budget.Amount) * 100, 1)
Write-Output "Budget $budgetName is at $spent% of $($budget.Amount)"
if ($spent -ge 90) {
    Write-Warning "Budget $budgetName is nearly exhausted"
}
