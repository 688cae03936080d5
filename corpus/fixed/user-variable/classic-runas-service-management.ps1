# expect: MI105 MI105 MI105 MI105
# why: Classic (Service Management) Run As: AzureClassicRunAsConnection, AzureClassicRunAsCertificate, Set-AzureSubscription -Certificate, Select-AzureSubscription.
$classicConnection = Get-AutomationConnection -Name 'AzureClassicRunAsConnection'
$managementCert = Get-AutomationCertificate -Name 'AzureClassicRunAsCertificate'
$subscriptionName = $classicConnection.SubscriptionName
$subscriptionGuid = Get-AutomationVariable -Name 'ClassicSubscriptionGuid'

Set-AzureSubscription -SubscriptionName $subscriptionName -SubscriptionId $subscriptionGuid -Certificate $managementCert
Select-AzureSubscription -SubscriptionName $subscriptionName -Current

$services = Get-AzureService
foreach ($service in $services) {
    $deployment = Get-AzureDeployment -ServiceName $service.ServiceName -Slot Production -ErrorAction SilentlyContinue
    if ($deployment) {
        Write-Output ("{0}: {1} role instance(s), status {2}" -f $service.ServiceName, @($deployment.RoleInstanceList).Count, $deployment.Status)
    } else {
        Write-Output "$($service.ServiceName): no production deployment"
    }
}
