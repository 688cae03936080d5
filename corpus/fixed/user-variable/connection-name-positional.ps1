# expect: MI101 MI104 MI102 MI401
# why: Positional connection name (Get-AutomationConnection 'AzureRunAsConnection') with a tenant read into a variable before the login.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
$connection = Get-AutomationConnection 'AzureRunAsConnection'
$tenant = $connection.TenantID

Write-Output "Logging in to tenant $tenant"
Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity -AccountId $IdentityClientId | Out-Null

$expiry = (Get-Date).AddDays(14)
$subscriptions = Get-AzSubscription -TenantId $tenant
foreach ($sub in $subscriptions) {
    $null = Set-AzContext -SubscriptionObject $sub
    Get-AzRoleAssignment | Where-Object { $_.ObjectType -eq 'Unknown' } | ForEach-Object {
        Write-Output "[$($sub.Name)] orphaned assignment $($_.RoleAssignmentId)"
    }
}
Write-Output "Checked $(@($subscriptions).Count) subscription(s); next review before $($expiry.ToShortDateString())"
